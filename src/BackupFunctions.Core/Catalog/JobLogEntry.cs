using System.Text.Json.Nodes;

namespace BackupFunctions.Core.Catalog;

/// <summary>One line of a job's log: what happened at a key moment of the run, with its figures.</summary>
/// <param name="Context">A small JSON object of figures and names (never secrets); null when there is nothing to add.</param>
public sealed record JobLogEntry(DateTimeOffset Time, JobLogLevel Level, string Message, JsonObject? Context);
