namespace BackupFunctions.Core.Restores.Drills;

/// <summary>Where restore drills put their scratch folders (settings section <c>RestoreDrills</c>).</summary>
public sealed class RestoreDrillOptions
{
    public const string SectionName = "RestoreDrills";

    /// <summary>
    /// Absolute folder under which each drill restores the site files into a folder of its own (named after the drill,
    /// removed afterwards). Created 0700. Empty (the default): <c>bf-restore-drills</c> in the system's temporary folder.
    /// It needs room for the largest site a drill restores.
    /// </summary>
    public string ScratchRoot { get; set; } = "";

    /// <summary>The folder drills use.</summary>
    public string ScratchRootPath() => ScratchRoot.Length > 0 ? ScratchRoot : Path.Combine(Path.GetTempPath(), "bf-restore-drills");

    /// <summary>Null when the setting is valid; else the start-up error naming it.</summary>
    public string? Validate() => ScratchRoot.Length == 0 || Path.IsPathFullyQualified(ScratchRoot)
        ? null
        : $"RestoreDrills:ScratchRoot must be an absolute folder (or empty: the temporary folder); '{ScratchRoot}' is not.";
}
