select * from {{ source('audit', 'dq_finding') }}
