-- Every entry the inbox scans saw: read (with the document it holds), a manifest, a directory, or skipped
-- and why (hidden, not a regular file, dangling or looping symlink, vanished, unreadable). An entry the last
-- scan of its inbox did not see any more keeps its row, with is_in_last_scan false.
with entries as (
    select * from {{ ref('stg_raw__inbox_entries') }}
),

-- the document each path held when last seen (portable SQL: the DuckDB and PostgreSQL targets build it alike)
ranked_sightings as (
    select
        inbox_path,
        document_id,
        row_number() over (partition by inbox_path order by seen_at desc, document_id) as recency
    from {{ ref('stg_raw__document_files') }}
),

sightings as (
    select inbox_path, document_id
    from ranked_sightings
    where recency = 1
)

select
    entries.inbox_root,
    entries.entry_path,
    entries.entry_kind,
    entries.action,
    entries.reason,
    case when entries.action = 'read' then sightings.document_id end as document_id,
    entries.file_name,
    entries.size_bytes,
    entries.first_seen_at,
    entries.last_seen_at,
    entries.last_seen_at = max(entries.last_seen_at) over (partition by entries.inbox_root) as is_in_last_scan
from entries
left join sightings on entries.inbox_path = sightings.inbox_path
