"""beasiswa: decides, pays, letters and audits BPJS Ketenagakerjaan's education benefit for children."""
