-- Every `fiscal withdraw` and `fiscal restore`, append-only: which document, why, by whom, when, and whether
-- it is the document's standing decision (a withdrawn document's facts are not published; it stays in
-- dim_document, quarantined with the withdrawal as its reason, and in the store).
with actions as (
    select * from {{ ref('stg_raw__document_withdrawals') }}
)

select
    document_id,
    file_name,
    action,
    reason,
    acted_by,
    acted_at,
    row_number() over (partition by document_id order by acted_at desc) = 1 as is_standing,
    row_number() over (partition by document_id order by acted_at desc) = 1 and action = 'withdraw' as is_withdrawn
from actions
