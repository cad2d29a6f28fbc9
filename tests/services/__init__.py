"""The work behind the pages: analysis runs, the outbox and the queues, real workers, retention."""
