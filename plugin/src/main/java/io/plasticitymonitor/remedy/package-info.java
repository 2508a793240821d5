/**
 * Remedies that act on absorbed units instead of only reporting them: {@link
 * io.plasticitymonitor.remedy.RemedyRunner} binds one remedy to each network the listener sees and
 * runs it on the training thread — in {@code iterationDone}, after DL4J's update and before the
 * next iteration, or at a task's start — never concurrently with the updater. Each remedy is one
 * small class with its formula and citation; what they change in the network they change through
 * {@link io.plasticitymonitor.network.UnitSurgery}, the only code that knows DL4J's layout.
 */
package io.plasticitymonitor.remedy;
