"""Coverage-guided fuzz harnesses (atheris); run by hand, never collected by pytest."""
