"""Pieces the readers in :mod:`sna.io` share; no reader lives here.

* :mod:`~sna.io.helpers.streams` — opening files and archive members as
  (decompressed) byte streams, lines with a size cap, whole documents with a
  size cap, and the one rule for bytes that are not text;
* :mod:`~sna.io.helpers.boundary` — turning what libraries raise on bad data
  into one :class:`~sna.errors.InputError` line;
* :mod:`~sna.io.helpers.timestamps` and :mod:`~sna.io.helpers.dates` — Unix
  times and dates as forums print them;
* :mod:`~sna.io.helpers.html_text` — HTML to plain text;
* :mod:`~sna.io.helpers.markup`, :mod:`~sna.io.helpers.markdown_quotes`,
  :mod:`~sna.io.helpers.usenet` — quote markup in plain text (BBCode, "X
  said:", Markdown and Usenet ``>`` quoting);
* :mod:`~sna.io.helpers.forum_pages`, :mod:`~sna.io.helpers.forum_quotes`,
  :mod:`~sna.io.helpers.forum_posts` — forum engines' page and quote markup,
  shared by the saved-page, scraper-JSON and Discourse readers.
"""
