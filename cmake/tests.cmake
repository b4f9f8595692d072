# tests/: GoogleTest suites, labelled unit / cosim / rtl / e2e.
