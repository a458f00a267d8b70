using System.Text.Json;
using System.Text.Json.Serialization;

namespace BackupFunctions.Core.Archive;

/// <summary>
/// Source-generated JSON for index lines: a backup reads and writes one line per site file, and an incremental reads
/// its base's index twice, so reflection's start-up and per-line costs showed in the profile of a short run.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(FileIndexEntry))]
internal sealed partial class FileIndexJson : JsonSerializerContext;
