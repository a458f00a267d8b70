namespace BackupFunctions.Core.Catalog;

/// <summary>
/// An alert as a raise left it. <see cref="IsNew"/> is true when the raise opened it (there was none, or it was
/// resolved): only then is anybody to be told. Raising an open or acknowledged alert again only updates it.
/// </summary>
public sealed record RaisedAlert(BackupAlert Alert, bool IsNew);
