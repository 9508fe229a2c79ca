"""The staff console's editorial workflow: drafts, checks, preview, review, publishing.

- :mod:`.models`: drafts, published versions, the audit log, staff preferences.
- :mod:`.roles`: the editor, reviewer and admin groups and what each may do.
- :mod:`.library`: the published content and its items, read from the content folder.
- :mod:`.checks`: a draft checked by the bot's own loader, its messages put by the fields.
- :mod:`.preview`: a reply as Telegram shows it (the core's composer and renderer).
- :mod:`.publishing`: four eyes, conflict detection, the atomic write of the files.
- :mod:`.views`: thin views over the above; :mod:`.forms`: the editors' forms.
"""
