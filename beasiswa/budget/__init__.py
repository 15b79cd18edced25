"""Finance's two questions (issue 15): what next year's scholarships will cost (`forecast`), and what a proposed
change of the law would cost (`whatif`), from the claims the database holds.

- `assumptions`: the forecast's parameters (the typical path, drop-out and repetition rates) from data/;
- `projection`: this year's beneficiaries one year on, as cases of projected claims (pure);
- `tally`: the projected claims decided by the real rules under a law, summed by office and level group (pure);
- `source`: the cases and this year's approved claims as the database holds them;
- `export`: CSV and XLSX of a what-if; `chart`: its chart, Vega-Lite through altair (SVG/PNG by vl-convert).
"""
