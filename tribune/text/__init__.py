"""Pure text functions, no Flask or database: Markdown to safe HTML, Persian text, dates."""
