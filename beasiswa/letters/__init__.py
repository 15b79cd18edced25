"""Official letters: award, rejection and return letters, from a decided claim to PDF bytes.

`settings` reads what letters say that is not the case's (letterheads, legal basis) from data files,
`content` builds a letter as pure data, `canonical` its verifiable JSON, digest and QR text, `render` the HTML
and the PDF/A-3b through Jinja2 and WeasyPrint, `words` the amount in words.
"""
