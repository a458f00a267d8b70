namespace BackupFunctions.Core.Restores;

/// <summary>How a request to restore ended (the API's answer: 202, 200, 400, 404 or 409).</summary>
public enum RestoreStartOutcome
{
    /// <summary>The job row is written and its orchestration started.</summary>
    Started,

    /// <summary>A dry run: <see cref="RestoreStartResult.Preview"/> says what a restore would change; nothing was changed.</summary>
    Previewed,

    /// <summary>Fields of the options do not fit the backup, its config or the targets (<see cref="RestoreStartResult.Errors"/>).</summary>
    Invalid,

    /// <summary>The backup (or the config, or a restore point at the instant) does not exist.</summary>
    NotFound,

    /// <summary>The request is fine but cannot run now or from this backup (<see cref="RestoreStartResult.Reason"/>).</summary>
    Conflict,
}
