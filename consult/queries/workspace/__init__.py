"""Reads for the officials' workspace: the consultations an official works on (`home`), the
analysis dashboard and one free-text question in depth (`dashboard`, `free_text`, `fairness`,
`topic_map`), the drill-down into responses (`responses`), theme review (`review`), moderation
(`moderation`), organisations' verification and false-submission reports (`organisations`), the
exports (`exports`, the Excel workbook in `workbook`, `analysis_export`) and the printable report
(`report`)."""
