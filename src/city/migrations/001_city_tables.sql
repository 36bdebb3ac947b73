-- hallq city tables (src/city/store.ts). No personal data: ticket numbers, services, windows,
-- times and grades only; ID hashes, masked names and phones in hall events are dropped on receipt.

CREATE TABLE halls (
  hall_id text PRIMARY KEY,
  -- The last seq applied: every event 1..last_seq of the hall is in hall_events, once.
  last_seq bigint NOT NULL DEFAULT 0,
  -- The hall's own seq as its retained server status or queue view last said (gap detection at the tail).
  hall_seq bigint NOT NULL DEFAULT 0,
  online boolean NOT NULL DEFAULT false,
  day text,
  -- Hall clock (ms) of the last applied event and city clock (ms) when it was applied: their difference
  -- turns the city's clock into the hall's for "waiting now".
  last_event_at bigint,
  last_applied_at bigint
);

CREATE TABLE hall_events (
  -- The platform feed's cursor: the order events reached the city tables.
  id bigserial PRIMARY KEY,
  hall_id text NOT NULL REFERENCES halls,
  seq bigint NOT NULL,
  type text NOT NULL,
  at bigint NOT NULL,
  ticket_id text,
  service_id text,
  window_no integer,
  received_at bigint NOT NULL,
  UNIQUE (hall_id, seq)
);

CREATE TABLE hall_services (
  hall_id text NOT NULL REFERENCES halls,
  service_id text NOT NULL,
  name_zh text NOT NULL,
  name_en text NOT NULL,
  avg_service_minutes real NOT NULL,
  PRIMARY KEY (hall_id, service_id)
);

CREATE TABLE hall_windows (
  hall_id text NOT NULL REFERENCES halls,
  window_no integer NOT NULL,
  services text[] NOT NULL,
  status text NOT NULL DEFAULT 'closed',
  PRIMARY KEY (hall_id, window_no)
);

CREATE TABLE tickets (
  hall_id text NOT NULL REFERENCES halls,
  ticket_id text NOT NULL,
  number text NOT NULL,
  service_id text NOT NULL,
  day text NOT NULL,
  status text NOT NULL,
  issued_at bigint NOT NULL,
  queued_at bigint NOT NULL,
  called_at bigint,
  window_no integer,
  finished_at bigint,
  PRIMARY KEY (hall_id, ticket_id)
);
CREATE INDEX tickets_waiting ON tickets (hall_id, service_id) WHERE status = 'waiting';
CREATE INDEX tickets_day ON tickets (day, hall_id);

CREATE TABLE ratings (
  hall_id text NOT NULL REFERENCES halls,
  rating_id text NOT NULL,
  ticket_id text NOT NULL,
  service_id text NOT NULL,
  window_no integer NOT NULL,
  grade text NOT NULL,
  at bigint NOT NULL,
  day text NOT NULL,
  PRIMARY KEY (hall_id, rating_id)
);
