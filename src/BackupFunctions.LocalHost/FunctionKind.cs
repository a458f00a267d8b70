namespace BackupFunctions.LocalHost;

/// <summary>Which trigger starts a function.</summary>
public enum FunctionKind
{
    Http,
    Timer,
    Orchestration,
    Activity,
}
