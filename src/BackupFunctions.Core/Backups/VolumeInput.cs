using BackupFunctions.Core.Format;

namespace BackupFunctions.Core.Backups;

/// <summary>What the step writing one file volume needs: the run, its prepared key, the stored plan and the volume's number (from 1).</summary>
public sealed record VolumeInput(BackupPlan Plan, PreparedKey? Key, StoredPart PlanPart, int Number)
{
    /// <summary>The volume holds only already-compressed files (<see cref="VolumePlanResult.SeparateVolumes"/>): stored with compression <c>none</c>.</summary>
    public bool Uncompressed { get; init; }
}
