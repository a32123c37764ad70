-- The SQLite peer's care-home incident counts, the way Waymark counts them under
-- rules/default.json (README, "How the events become read models"): superseded and retracted
-- events ignored; a police report belongs to the home of the placement it names; an SSDA903
-- period belongs to the placement in force when it started, unless a police report naming the
-- same LA child takes it (the period on the report's own date, else the closest within a
-- day): then it is that episode.
-- Input: events(seq, id, type, child, data) with data the whole envelope.
CREATE TEMP TABLE dead AS
  SELECT json_extract(data, '$.supersedes') AS id FROM events WHERE json_extract(data, '$.supersedes') IS NOT NULL
  UNION SELECT json_extract(data, '$.data.target') FROM events WHERE type = 'EventRetracted';
CREATE TEMP TABLE live AS SELECT * FROM events WHERE id NOT IN (SELECT id FROM dead);
CREATE TEMP TABLE ended AS
  SELECT json_extract(data, '$.data.placement') AS ref, julianday(json_extract(data, '$.data.endDate')) AS end
  FROM live WHERE type = 'PlacementEnded';
CREATE TEMP TABLE placement AS
  SELECT json_extract(l.data, '$.data.placement') AS ref, l.child AS child, json_extract(l.data, '$.data.homeUrn') AS urn,
         julianday(json_extract(l.data, '$.data.startDate')) AS start, e.end AS end
  FROM live l LEFT JOIN ended e ON e.ref = json_extract(l.data, '$.data.placement')
  WHERE l.type = 'PlacementStarted';
CREATE INDEX placement_ref ON placement(ref);
CREATE INDEX placement_child ON placement(child, start);
CREATE TEMP TABLE report AS
  SELECT json_extract(data, '$.episode') AS ep, child, julianday(json_extract(data, '$.data.reportedAt')) AS start,
         json_extract(data, '$.data.placement') AS placement
  FROM live WHERE type = 'MissingReported';
CREATE TEMP TABLE police AS
  SELECT ep, start, placement, substr(placement, 1, length(placement) - 11) AS lachild FROM report
  WHERE ep LIKE 'police:%' AND placement IS NOT NULL;
CREATE INDEX police_child ON police(lachild, start);
CREATE TEMP TABLE taken AS
  SELECT DISTINCT la_ep AS ep FROM (
    SELECT r.ep AS la_ep, ROW_NUMBER() OVER (PARTITION BY q.ep ORDER BY date(r.start) != date(q.start), abs(r.start - q.start), r.start, r.ep) AS rank
    FROM police q JOIN report r ON r.child = q.lachild AND r.ep LIKE 'la:%' AND r.start BETWEEN q.start - 1 AND q.start + 1)
  WHERE rank = 1;
CREATE TEMP TABLE attributed AS
  SELECT p.urn AS urn, r.start AS start FROM report r JOIN placement p ON p.ref = r.placement WHERE r.ep LIKE 'police:%'
  UNION ALL
  SELECT p.urn, r.start FROM report r JOIN placement p ON p.child = r.child
    AND p.start = (SELECT max(p2.start) FROM placement p2 WHERE p2.child = r.child AND p2.start <= r.start AND (p2.end IS NULL OR p2.end >= r.start))
  WHERE r.ep LIKE 'la:%' AND r.ep NOT IN (SELECT ep FROM taken);
.headers on
.mode csv
SELECT urn AS homeUrn,
       (CASE WHEN CAST(strftime('%m', start) AS INTEGER) >= 4 THEN CAST(strftime('%Y', start) AS INTEGER) ELSE CAST(strftime('%Y', start) AS INTEGER) - 1 END)
       || '-' || substr('0' || ((CASE WHEN CAST(strftime('%m', start) AS INTEGER) >= 4 THEN CAST(strftime('%Y', start) AS INTEGER) ELSE CAST(strftime('%Y', start) AS INTEGER) - 1 END + 1) % 100), -2) AS period,
       count(*) AS incidents
FROM attributed WHERE urn IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2;
