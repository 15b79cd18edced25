"""Official letters: award, rejection and return letters from a decided claim to PDF bytes.

`content` builds the letter as pure data, `canonical` its verifiable JSON and digest, `render` the HTML and
PDF/A-3b through Jinja2 and WeasyPrint, `words` the amount in words.
"""
