select
    content_hash as document_id,
    file_name,
    table_code,
    position,
    level,
    level1_name,
    level2_name,
    level3_name,
    indicator_name,
    -- the path names a node inside its table; a missing name is shown, never guessed
    concat_ws(
        ' / ',
        coalesce(level1_name, '(未列名称)'),
        case when level >= 2 then coalesce(level2_name, '(未列名称)') end,
        case when level = 3 then coalesce(level3_name, '(未列名称)') end
    ) as indicator_path,
    case
        when level = 2 then coalesce(level1_name, '(未列名称)')
        when level = 3 then concat_ws(' / ', coalesce(level1_name, '(未列名称)'), coalesce(level2_name, '(未列名称)'))
    end as parent_path,
    weight,
    weight_text,
    score,
    score_text,
    description,
    scoring_standard,
    target_text,
    actual_text,
    deviation_reason,
    line_no,
    page_no
from {{ source('raw', 'performance_indicators') }}
