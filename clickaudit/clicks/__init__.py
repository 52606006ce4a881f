"""Click forensics: which clicks of an ESP's log were people, which were security scanners.

ESP logs (:mod:`~clickaudit.clicks.formats`, :mod:`~clickaudit.clicks.csv_format`) are read as a
stream (:mod:`~clickaudit.clicks.reader`, :mod:`~clickaudit.clicks.importer`), each click joined
to the audited email's link (:mod:`~clickaudit.clicks.join`), judged with its reasons
(:mod:`~clickaudit.clicks.judge`) and counted (:mod:`~clickaudit.clicks.analysis`); reports in
:mod:`~clickaudit.clicks.report`, history tables in :mod:`~clickaudit.clicks.store`.
"""
