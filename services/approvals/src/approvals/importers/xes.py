"""The XES reader moved to ``sunlight.xes`` (complaints reads lifecycle logs with it too); the names the
approvals code imports from here stay importable."""

from sunlight.xes import NS, SCALARS, TRACE_TAGS, Event, Trace, XesError, count_events, iter_traces, open_log

__all__ = ["NS", "SCALARS", "TRACE_TAGS", "Event", "Trace", "XesError", "count_events", "iter_traces", "open_log"]
