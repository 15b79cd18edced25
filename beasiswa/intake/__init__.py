"""Intake: turning what branch offices send (case files, CSV and XLSX sheets) into cases to register."""
