"""The names of the Celery tasks that services ask for.

Services name the work they queue (`consult.services.outbox`) rather than import `consult.tasks`,
whose task bodies call the services: the task layer sits above the services, as the views do, and
no import runs in a circle. Each task in `consult.tasks` is declared under its name here, so a name
cannot drift from its task; the names are those Celery gives by default (module and function), as
CELERY_TASK_ROUTES, the beat schedule and the outbox rows already stored say.
"""

SEND_RECEIPT_EMAIL = "consult.tasks.send_receipt_email"
SEND_RESUME_LINK_EMAIL = "consult.tasks.send_resume_link_email"
SEND_WITHDRAWAL_EMAIL = "consult.tasks.send_withdrawal_email"
SEND_NEW_LINK_EMAIL = "consult.tasks.send_new_link_email"
SEND_OUTCOME_EMAILS = "consult.tasks.send_outcome_emails"
RUN_ANALYSIS = "consult.tasks.run_analysis"
RUN_PIECE = "consult.tasks.run_piece"
PROCESS_RESPONSE = "consult.tasks.process_response"
EMBED_ANSWERS = "consult.tasks.embed_answers"
MAP_THEME_SET = "consult.tasks.map_theme_set"
MAP_CHUNK = "consult.tasks.map_chunk"
FINISH_MAPPING = "consult.tasks.finish_mapping"
COUNT_ANALYSIS = "consult.tasks.count_analysis"
REQUEUE_LOST_RUNS = "consult.tasks.requeue_lost_runs"
RESEND_QUEUED_WORK = "consult.tasks.resend_queued_work"
PURGE_PERSONAL_DATA = "consult.tasks.purge_personal_data"
SEND_DUE_NOTIFICATIONS = "consult.tasks.send_due_notifications"
SEND_DAILY_DIGESTS = "consult.tasks.send_daily_digests"
