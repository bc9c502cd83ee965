-- 报告版本: every version of every report part, with first-seen and superseded times.
select
    versions.document_id,
    versions.report_id,
    versions.report_part,
    units.unit_id,
    versions.unit_name,
    versions.fiscal_year,
    versions.report_kind,
    versions.is_draft,
    versions.version_number,
    versions.n_versions,
    versions.is_current,
    versions.is_kept_out,
    versions.first_seen_at,
    versions.superseded_at,
    versions.superseded_by,
    versions.reads_worse_reason,
    versions.file_modified_at,
    versions.file_names,
    versions.n_sightings
from {{ ref('int_report_versions') }} as versions
left join {{ ref('int_units_resolved') }} as units on versions.unit_name = units.unit_name
