"""Integrity — the warning register, dispositions, the integrity index and risk points (廉情评估预警平台)."""
