{#- Use the folder's schema name as is (staging, intermediate, marts), not target_schema_custom.
    On the server target the marts are built into `marts_next` and published by renaming it to `marts`
    (orchestration/postgres_publish.py): analysts never see a half-built schema. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}
    {%- elif target.type == 'postgres' and custom_schema_name | trim == 'marts' -%}{{ env_var('FISCAL_PG_BUILD_SCHEMA', 'marts_next') }}
    {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
