namespace BackupFunctions.Core.Catalog;

/// <summary>How much a job log entry matters. Serialized as the lowercase words info, warning, error.</summary>
public enum JobLogLevel
{
    Info,
    Warning,
    Error,
}
