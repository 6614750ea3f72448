"""REST API of the co-creation venues: venues and members, meetings, decisions, endorsements, actions."""
