-- A `local_file` model (the Docker-free local stack only) is an .onnx file inside the local
-- model root: its path is relative, with no empty, '.' or '..' segment and no backslash. The
-- function refuses any other path too (model_path_refused); this keeps such a row from being
-- registered at all.

alter table public.ml_models
  add constraint ml_models_local_file_path_inside_root check (
    storage_kind <> 'local_file'
    or (
      storage_path like '%.onnx'
      and storage_path not like '/%'
      and strpos(storage_path, E'\\') = 0
      and not (string_to_array(storage_path, '/') && array['', '.', '..'])
    )
  );
