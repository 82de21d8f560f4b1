"""Use cases: one public function is one user action in one unit of work, returning plain values."""
