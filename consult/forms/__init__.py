"""Forms, one module per audience: `respond` for the respondent journey, the `workspace_*` modules
for officials. All write GOV.UK error messages."""
