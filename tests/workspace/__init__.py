"""The officials' workspace: access, analysis pages, review, moderation, exports, publishing."""
