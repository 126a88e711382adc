"""venvtui: every Python interpreter and virtual environment, what each venv is tied to, and what will break."""

__version__ = "0.1.0"
