"""Reports as files: a unit's periodic report as PDF (Jinja2 HTML rendered by WeasyPrint, with a Plotly
chart drawn by kaleido on the system's Chromium) or as an Excel workbook, in the reader's language."""
