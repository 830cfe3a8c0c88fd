"""Signals through which the apps above `accounts` hear about its events.

Imports point down: `accounts` never imports keys or usage; they connect here.
"""

from django.dispatch import Signal

# Sent after commit, with account, old_plan, new_plan.
plan_changed = Signal()

# Sent by `seed_demo` with accounts={"individual": Account, "team": Account}, so upper
# apps can add their own demo data (keys, usage) through their own services.
demo_seeded = Signal()
