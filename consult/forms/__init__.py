"""Forms, one module per audience: `respond` for the respondent journey, `organisations`,
`following`, `data_rights` and `accounts` for the public site's other pages, and the `workspace`
package for officials. All write GOV.UK error messages."""
