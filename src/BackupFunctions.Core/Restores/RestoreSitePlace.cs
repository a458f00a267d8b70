using BackupFunctions.Core.Sources.Sites;

namespace BackupFunctions.Core.Restores;

/// <summary>
/// One place an in-place restore writes site components into, for a site whose components live in different places
/// (uploads in Blob, themes over SFTP): a local folder (<paramref name="Root"/>, confined) or a site that is not one
/// (<paramref name="Source"/>), and the components that live there. Each place gets its own staging and swap.
/// </summary>
public sealed record RestoreSitePlace(string? Root, SiteSourceSettings? Source, IReadOnlyList<string> Components);
