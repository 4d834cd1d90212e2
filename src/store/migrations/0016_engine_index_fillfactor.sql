-- Custom SQL migration file, put your migrate statements here
-- index_result: an approval that moves a min-max bound rewrites the scores of every unit for a few
-- nodes (about a thousand rows at city scale). With half of each page left free, a rewrite that
-- leaves the indexed columns (key, rank) unchanged is a heap-only tuple update: no index entry and
-- about half the WAL. Applies to pages written from now on.
ALTER TABLE "index_result" SET (fillfactor = 50);
