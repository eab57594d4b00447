-- Registry of trained models: where the ONNX file is, its checksum, the features it expects, and
-- which single model is active. Publishing a new model never needs a redeploy of the function.

create table public.ml_models (
  id bigint generated always as identity primary key,
  version text not null unique check (version ~ '^[A-Za-z0-9._-]+$'),
  -- Where the ONNX file lives: 'storage' = Supabase Storage (bucket + path);
  -- 'local_file' = a path relative to the repository, for the Docker-free local stack only.
  storage_kind text not null default 'storage' check (storage_kind in ('storage', 'local_file')),
  storage_bucket text not null default 'models',
  storage_path text not null check (btrim(storage_path) <> ''),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  feature_names text[] not null check (cardinality(feature_names) > 0),
  metrics jsonb not null default '{}'::jsonb check (jsonb_typeof(metrics) = 'object'),
  trained_at timestamptz,
  created_at timestamptz not null default now(),
  activated_at timestamptz,
  is_active boolean not null default false
);
alter table public.ml_models enable row level security;
revoke all on public.ml_models from anon, authenticated;

-- At most one active model.
create unique index ml_models_one_active_idx on public.ml_models (is_active) where is_active;

comment on table public.ml_models is 'Model registry; service_role only.';
