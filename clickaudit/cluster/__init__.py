"""Batch audits on a worker cluster: Dramatiq on Redis (the optional extra ``clickaudit[cluster]``).

``clickaudit worker --cluster URL`` runs a worker; ``clickaudit scan|audit --cluster URL FILES…``
submits a batch and collects its results. Nothing here is imported unless ``--cluster`` (or the
``worker`` command) is used, so a plain install never needs Dramatiq or Redis.

- :mod:`.jobs`: what travels (one email's bytes, the batch's settings and files).
- :mod:`.batch_store`: the batch in Redis: emails, results keyed by (batch, sha256), status.
- :mod:`.host_budget`: the per-host politeness budget all workers share.
- :mod:`.work`: what a worker does with one email.
- :mod:`.broker`: the Dramatiq broker and the one actor.
- :mod:`.submit`: the submitter's side: send a batch, collect results, resume.
"""
