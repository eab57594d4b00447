-- The private Storage bucket that holds ONNX model files. Only where Storage exists (hosted
-- Supabase, the Supabase CLI stack, and the local stack's minimal storage.buckets).

do $$
begin
  if to_regclass('storage.buckets') is not null then
    insert into storage.buckets (id, name, public)
    values ('models', 'models', false)
    on conflict (id) do nothing;
  end if;
end
$$;
