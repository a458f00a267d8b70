namespace BackupFunctions.Core.Restores;

/// <summary>One component of an in-place restore job and how far its swap got (see <see cref="InPlaceFileRestore"/>).</summary>
/// <param name="Name">The component (a folder name under the site root).</param>
/// <param name="LiveExisted">Whether the live site had the component when it was staged (if not, there is nothing to set aside).</param>
/// <param name="Step">
/// <see cref="Staged"/> → <see cref="MovingAside"/> (live → set-aside under way) → <see cref="Aside"/> → <see cref="MovingIn"/>
/// (staged → live under way) → <see cref="Swapped"/>. A step named "…ing" is written before its rename and the next after
/// it, so a crash leaves the journal one step behind at most; the file system tells which (a rename is atomic).
/// </param>
internal sealed record InPlaceComponentState(string Name, bool LiveExisted, string Step)
{
    public const string Staged = "staged";
    public const string MovingAside = "moving-aside";
    public const string Aside = "aside";
    public const string MovingIn = "moving-in";
    public const string Swapped = "swapped";
}
