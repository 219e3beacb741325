"""The visitor's guide: attraction pages that put together attractions, the events held there, what is nearby and
the visitor's trip, and "near me". It sits above attractions, events and trips, so none of them imports another's
pages to show these."""
