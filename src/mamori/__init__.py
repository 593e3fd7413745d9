"""mamori (守り): detect the contractor-account → silent intrusion → ransomware attack early."""

__version__ = "0.1.0"
