{% test unique_per_document(model, columns) %}
-- One row per key within each document. The failing rows name their document, so a refresh holds back
-- that document alone (orchestration/dbt_isolation.py) instead of stopping; the same key is also checked
-- per document at parse time (ingest/document_keys.py), which this test guards.
select
    document_id,
    {{ columns | join(', ') }},
    count(*) as n_records
from {{ model }}
group by document_id, {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
