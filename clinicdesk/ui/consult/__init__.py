"""The consultation room's tablet mode: today's patients, recording, live transcript, note, vitals, prescription."""
