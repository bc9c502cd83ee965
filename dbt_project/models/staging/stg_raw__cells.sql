with source as (
    select * from {{ source('raw', 'cells') }}
),

renamed as (
    select
        content_hash as document_id,
        file_name,
        table_code,
        side,
        row_label,
        -- 一、财政拨款收入 -> 财政拨款收入: numbering prefixes are layout, not meaning
        regexp_replace(
            row_label, '^([一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）]|[0-9]+[、.])', ''
        ) as line_item,
        row_code,
        row_number,
        column_path,
        column_number,
        value_text,
        amount as amount_printed,
        printed_unit,
        amount_wan,
        line_no,
        page_no,
        cell_box,
        position
    from source
)

-- the printed cell's position in its row makes the id collision-free by construction; two amounts of one
-- row under one column label are caught per document before the raw layer (ingest/document_keys.py)
select
    md5(concat_ws(
        '|', document_id, table_code, coalesce(side, ''), line_no, column_path, coalesce(row_code, row_label),
        coalesce(position::varchar, '')
    )) as cell_id,
    *
from renamed
