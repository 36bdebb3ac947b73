-- The city's messages to halls (appointments, notices) and each hall's answer (src/city/ingest.ts,
-- GET /api/city/messages/<id>): kept here so a restart of the city service keeps them. No personal
-- data: the body sent (with an ID number) is not stored, only its id, hall, kind and the answer
-- (appointment ids and results, a notice's outcome, or an error code).

CREATE TABLE city_messages (
  id text PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls,
  kind text NOT NULL,
  -- City clock (ms) when sent and when the hall's answer came.
  sent_at bigint NOT NULL,
  answered_at bigint,
  status text,
  data jsonb,
  error_code text
);
CREATE INDEX city_messages_sent ON city_messages (sent_at);
