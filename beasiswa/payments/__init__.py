"""Bank transfers: the files the offices upload to their banks, and the banks' answers read and matched.

- `statement`: a bank's answer in one shape (`Statement`, `StatementLine`, `StatementError`); `camt053`,
  `camt054` (ISO 20022 statements and notifications, through pyiso20022's bindings; `camt_entries` reads their
  entries), `csv_results` (the banks' CSV result files, layouts in data/results.toml); `reading` picks the
  format of a file; `return_reasons` words the bank's return codes (data/return_reasons.toml).
- `matching`: a statement's lines against the transfers (settled, returned, exceptions), pure.
"""
